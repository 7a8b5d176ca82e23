//! TEMPORARY placeholder until the bulk fill lands.
use crate::store::Backend;
pub struct Sample {
    pub customer: String,
    pub metadata: (String, String),
    pub event_type: String,
}
pub fn payment_intents(_b: Backend, _from: usize, _to: usize) -> Result<Sample, String> {
    Err("bulk fill not yet available".into())
}
