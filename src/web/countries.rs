//! The countries the hosted pages and the Payment Element offer for a billing address, and
//! which of them ask for a postal code (as Stripe's card forms do).

/// (ISO code, English name), in the order a buyer scans them: by name.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AR", "Argentina"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BR", "Brazil"),
    ("BG", "Bulgaria"),
    ("CA", "Canada"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HK", "Hong Kong"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LV", "Latvia"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MY", "Malaysia"),
    ("MT", "Malta"),
    ("MX", "Mexico"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NO", "Norway"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("PR", "Puerto Rico"),
    ("RO", "Romania"),
    ("SA", "Saudi Arabia"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ZA", "South Africa"),
    ("KR", "South Korea"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("TW", "Taiwan"),
    ("TH", "Thailand"),
    ("TR", "Türkiye"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("UY", "Uruguay"),
    ("VN", "Vietnam"),
];

/// Countries whose card form asks for a postal code: the US (a ZIP) in every script;
/// before the clover script, also Canada, the UK and Puerto Rico.
pub const POSTAL_CODE_COUNTRIES: &[&str] = &["US"];
pub const POSTAL_CODE_COUNTRIES_BEFORE_CLOVER: &[&str] = &["US", "GB", "CA", "PR"];

/// The list and the postal code countries, as the Payment Element reads them.
pub fn as_json() -> String {
    let list: Vec<[&str; 2]> = COUNTRIES.iter().map(|(c, n)| [*c, *n]).collect();
    serde_json::json!({
        "list": list,
        "postal": POSTAL_CODE_COUNTRIES,
        "postalBeforeClover": POSTAL_CODE_COUNTRIES_BEFORE_CLOVER,
    })
    .to_string()
}
