//! Fills a database with many stored PaymentIntents, fast: the objects a busy account
//! would have (customers, intents with and without metadata, their `created` events),
//! built from the domain types as the API builds them and written through the store's
//! bulk path, for benchmarks and tests at scale (`pasarela fill`).

use crate::domain::customer::Customer;
use crate::domain::event::{Event, EventType};
use crate::domain::ids;
use crate::domain::method_choice::{ChosenTypes, TypeChoice};
use crate::domain::money::Currency;
use crate::domain::payment_intent::PaymentIntent;
use crate::store::{Store, StoreError};
use crate::versions::{self, ApiVersion};
use serde::Serialize;
use std::sync::Arc;

/// Intents written per transaction: large enough that commits cost nothing, small
/// enough that the writer's transaction and the objects held stay a few tens of MB.
const CHUNK: usize = 10_000;
/// About this many intents per customer; every fourth intent has none.
const INTENTS_PER_CUSTOMER: usize = 50;
/// What the writer caches while filling: the id index of a million intents and their
/// events, and the pages being written.
const CACHE_KIB: i64 = 256 * 1024;
/// Objects written in a row before their events.
const INTERLEAVE: usize = 20;
/// Every other intent has an `order_id`.
const ORDER_EVERY: usize = 2;
/// The metadata key of the intents that have one.
pub const ORDER_KEY: &str = "order_id";

/// What was filled, and what a benchmark or test can ask for and expect.
#[derive(Debug, Clone, Serialize)]
pub struct Filled {
    pub intents: usize,
    pub customers: usize,
    /// A customer with many intents, and all of them, newest first.
    pub customer: String,
    pub customer_intents: Vec<String>,
    /// `metadata[ORDER_KEY]` of one intent as stored (mixed case), and that intent.
    pub metadata_key: String,
    pub metadata_value: String,
    pub metadata_intents: Vec<String>,
    /// The ten newest intents, newest first.
    pub newest_intents: Vec<String>,
    /// The type of the intents' events, and the ten newest of them, newest first.
    pub event_type: &'static str,
    pub newest_events: Vec<String>,
}

/// `intents` PaymentIntents (and customers and events) added to the database of
/// `store`, created one second apart and ending about now. Builds each chunk while
/// the writer stores the one before, so it keeps a thread busy: call it before serving.
pub async fn fill(store: &Arc<Store>, intents: usize) -> Result<Filled, StoreError> {
    let now = crate::clock::now();
    let first = now - intents as i64;
    let maker = Maker::new(first)?;
    store.write(|db| db.cache_kib(Some(CACHE_KIB))).await?;
    let result = fill_cached(store, intents, &maker).await;
    store.write(|db| db.cache_kib(None)).await?;
    result
}

async fn fill_cached(
    store: &Arc<Store>,
    intents: usize,
    maker: &Maker,
) -> Result<Filled, StoreError> {
    let customers = intents.div_ceil(INTENTS_PER_CUSTOMER).max(1);
    let first = maker.first;
    let customer_ids: Vec<String> = (0..customers).map(|_| ids::new_id("cus")).collect();
    let mut cs = Vec::with_capacity(customers);
    let mut events = Vec::with_capacity(customers);
    for (i, id) in customer_ids.iter().enumerate() {
        let created = first - (customers - i) as i64;
        let mut c = Customer::new(id.clone(), ids::random_base62(8).to_uppercase(), created);
        c.email = Some(format!("customer{i}@example.com"));
        c.name = Some(format!("Customer {i}"));
        events.push(maker.event(
            EventType::CustomerCreated,
            crate::views::customer(&c),
            created,
        ));
        cs.push(c);
    }
    write(store, cs, events).await?;

    // The customer followed is the first; the order followed is in the middle.
    let followed = &customer_ids[0];
    let mut filled = Filled {
        intents,
        customers,
        customer: followed.clone(),
        customer_intents: vec![],
        metadata_key: ORDER_KEY.to_string(),
        metadata_value: order_id(intents / 2 / ORDER_EVERY * ORDER_EVERY),
        metadata_intents: vec![],
        newest_intents: vec![],
        event_type: EventType::PaymentIntentCreated.as_str(),
        newest_events: vec![],
    };
    let mut pending: Option<tokio::task::JoinHandle<Result<(), StoreError>>> = None;
    let bar = crate::progress::counting(intents as u64, "storing PaymentIntents");
    for start in (0..intents).step_by(CHUNK) {
        bar.set_position(start as u64);
        let end = (start + CHUNK).min(intents);
        let mut pis = Vec::with_capacity(end - start);
        let mut events = Vec::with_capacity(end - start);
        for i in start..end {
            let customer = (i % 4 != 3).then(|| &customer_ids[i % customers]);
            let (pi, event) = maker.intent(i, customer);
            if customer == Some(followed) {
                filled.customer_intents.push(pi.id.clone());
            }
            if pi.metadata.get(ORDER_KEY).and_then(|v| v.as_str())
                == Some(filled.metadata_value.as_str())
            {
                filled.metadata_intents.push(pi.id.clone());
            }
            if i + 10 >= intents {
                filled.newest_intents.push(pi.id.clone());
                filled.newest_events.push(event.id.clone());
            }
            pis.push(pi);
            events.push(event);
        }
        if let Some(p) = pending.take() {
            joined(p.await)?;
        }
        let store = store.clone();
        pending = Some(tokio::spawn(
            async move { write(&store, pis, events).await },
        ));
    }
    if let Some(p) = pending {
        joined(p.await)?;
    }
    bar.finish_and_clear();
    store.write(|db| db.analyze()).await?;
    for list in [
        &mut filled.customer_intents,
        &mut filled.metadata_intents,
        &mut filled.newest_intents,
        &mut filled.newest_events,
    ] {
        list.reverse();
    }
    Ok(filled)
}

fn joined(r: Result<Result<(), StoreError>, tokio::task::JoinError>) -> Result<(), StoreError> {
    r.map_err(|e| StoreError::Other(format!("fill: {e}")))?
}

/// Objects of one kind and their events, in one transaction.
async fn write<T: crate::store::Stored + Send + 'static>(
    store: &Arc<Store>,
    objects: Vec<T>,
    events: Vec<Event>,
) -> Result<(), StoreError> {
    store
        .write(move |db| {
            // Objects and their events alternate in small runs, as the API interleaves
            // them: stored in two blocks instead, PostgreSQL's plan for the ten newest
            // intents (walking the primary key back) passed ten thousand events first.
            for (objects, events) in objects.chunks(INTERLEAVE).zip(events.chunks(INTERLEAVE)) {
                db.put_all(objects)?;
                db.put_all(events)?;
            }
            Ok(())
        })
        .await
}

/// Builds intents and events as the API would for an account on the newest version
/// (whose events need no second, newest-shaped copy of their object: half the bytes),
/// the types automatic payment methods give, a request behind each.
struct Maker {
    version: ApiVersion,
    usd: (Currency, ChosenTypes),
    eur: (Currency, ChosenTypes),
    first: i64,
}

fn order_id(i: usize) -> String {
    format!("Ord-{i:07}")
}

impl Maker {
    fn new(first: i64) -> Result<Maker, StoreError> {
        let choose = |code: &str| -> Result<(Currency, ChosenTypes), StoreError> {
            let currency =
                Currency::parse(code).map_err(|_| StoreError::Other(format!("currency {code}")))?;
            let types = TypeChoice::Automatic {
                allow_redirects: None,
                excluded: None,
            }
            .resolve("US", &currency, 1000)
            .map_err(|e| StoreError::Other(format!("{e:?}")))?;
            Ok((currency, types))
        };
        Ok(Maker {
            version: ApiVersion::parse(versions::LATEST).expect("the newest version"),
            usd: choose("usd")?,
            eur: choose("eur")?,
            first,
        })
    }

    /// The `i`th intent: amounts and currencies vary, about one in five is canceled,
    /// every other one has an order id.
    fn intent(&self, i: usize, customer: Option<&String>) -> (PaymentIntent, Event) {
        let id = ids::new_id("pi");
        let secret = ids::client_secret(&id);
        // Scattered, so that every customer's intents (every `customers`th) vary too.
        let dice = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
        let (currency, types) = if dice % 5 == 4 { &self.eur } else { &self.usd };
        let amount = 500 + (i as i64 * 7919) % 100_000;
        let mut pi = PaymentIntent::new(id, secret, amount, currency.clone());
        pi.created = self.first + i as i64;
        pi.customer = customer.cloned();
        pi.set_types(types.clone());
        if i.is_multiple_of(ORDER_EVERY) {
            pi.metadata.insert(ORDER_KEY.into(), order_id(i).into());
        }
        let event = self.event(
            EventType::PaymentIntentCreated,
            crate::views::payment_intent(&pi, None),
            pi.created,
        );
        if dice < 3 {
            pi.cancel(Some("abandoned".into()), pi.created + 3600);
        }
        (pi, event)
    }

    /// An event as `Exec::event` records one with no webhook endpoints.
    fn event(&self, kind: EventType, object: serde_json::Value, created: i64) -> Event {
        let rendered = versions::render(object, self.version);
        Event {
            id: ids::new_id("evt"),
            created,
            kind,
            api_version: self.version.as_str().to_string(),
            object: rendered,
            previous_attributes: None,
            request_id: Some(ids::new_id("req")),
            idempotency_key: None,
            // Recorded at the newest version: no second, newest-shaped copy.
            latest: None,
            latest_before: None,
            deliveries: Some(vec![]),
        }
    }
}

/// `pasarela fill`: fills a database and prints what it filled as JSON.
#[derive(Debug, clap::Args)]
pub struct FillArgs {
    /// `sqlite:PATH` or a `postgres://` URL, as for `serve`.
    #[arg(long, env = "PASARELA_DATABASE_URL")]
    pub database_url: String,
    /// How many PaymentIntents.
    #[arg(long, default_value_t = 1_000_000)]
    pub intents: usize,
}

pub async fn run(args: FillArgs) -> i32 {
    let started = std::time::Instant::now();
    let opened = crate::config::database(&args.database_url)
        .and_then(|backend| Store::open(backend).map_err(|e| e.to_string()));
    let store = match opened {
        Ok(store) => store,
        Err(e) => {
            eprintln!("pasarela: {e}");
            return 1;
        }
    };
    let result = fill(&store, args.intents).await;
    store.close();
    match result {
        Ok(filled) => {
            eprintln!(
                "filled {} intents in {:.1} s",
                filled.intents,
                started.elapsed().as_secs_f64()
            );
            println!("{}", serde_json::to_string(&filled).expect("plain JSON"));
            0
        }
        Err(e) => {
            eprintln!("pasarela: {e}");
            1
        }
    }
}
