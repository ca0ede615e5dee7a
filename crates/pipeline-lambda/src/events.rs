//! The events Step Functions sends the function (`infra/lib/pipeline-stack.ts`; examples in
//! `deploy/pipeline/events/`) and what the function answers.

use serde::{Deserialize, Serialize};

/// One invocation's event, told apart by `kind`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Event {
    Chunk(ChunkEvent),
    Reduce(ReduceEvent),
}

/// What the Distributed Map's ItemSelector makes of one item of its S3 ItemReader: the bucket,
/// the listed chunk object, and the execution's input and output prefixes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkEvent {
    pub bucket: String,
    pub item: ListedObject,
    /// The prefix the chunks sit under (`runs/r1/input`).
    pub input: String,
    /// The prefix partials and rejects go under (`runs/r1/output`).
    pub output: String,
}

/// An `s3:listObjectsV2` item as the Distributed Map passes it on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListedObject {
    /// The whole key, input prefix included.
    pub key: String,
    pub etag: String,
    /// Seconds since the epoch.
    pub last_modified: i64,
    pub size: u64,
    pub storage_class: String,
}

/// The reduce task's event: the output prefix and where the map run's ResultWriter put its
/// manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReduceEvent {
    pub bucket: String,
    pub output: String,
    pub manifest: ResultWriterDetails,
}

/// The Distributed Map's `ResultWriterDetails`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultWriterDetails {
    pub bucket: String,
    pub key: String,
}

/// A chunk event's answer: small, as a child execution's output should be (the partial itself
/// is in S3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChunkDone {
    pub chunk: String,
    pub records_in: u64,
    pub rejected: u64,
    /// The handler's own time for this chunk: what Lambda bills, less the runtime's round trip.
    pub micros: u64,
}

impl ChunkEvent {
    /// The chunk's key relative to `input`, as the partial and rejects are named after it.
    pub fn chunk_key(&self) -> Option<&str> {
        let input = self.input.trim_matches('/');
        let key = match input {
            "" => Some(self.item.key.as_str()),
            _ => self.item.key.strip_prefix(input)?.strip_prefix('/'),
        };
        key.filter(|key| !key.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Event {
        let path = format!(
            "{}/../../deploy/pipeline/events/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    #[test]
    fn the_state_machines_chunk_event_names_the_chunk_under_its_input_prefix() {
        let Event::Chunk(event) = fixture("chunk.json") else {
            panic!("chunk.json is a chunk event")
        };

        assert_eq!(event.chunk_key(), Some("chunk-00007.ndjson"));
        assert_eq!(event.output, "runs/r1/output");
        assert_eq!(event.item.size, 1_203_412);
    }

    #[test]
    fn the_state_machines_reduce_event_carries_the_output_and_the_map_run_manifest() {
        let Event::Reduce(event) = fixture("reduce.json") else {
            panic!("reduce.json is a reduce event")
        };

        assert_eq!(event.output, "runs/r1/output");
        assert!(event.manifest.key.ends_with("/manifest.json"));
    }

    #[test]
    fn an_event_reads_back_as_it_was_written() {
        let event = fixture("chunk.json");
        let text = serde_json::to_value(&event).unwrap();

        assert_eq!(serde_json::from_value::<Event>(text).unwrap(), event);
    }

    #[test]
    fn an_item_outside_the_input_prefix_names_no_chunk() {
        let Event::Chunk(mut event) = fixture("chunk.json") else {
            panic!("chunk.json is a chunk event")
        };
        event.item.key = "runs/r2/input/chunk-00007.ndjson".into();

        assert_eq!(event.chunk_key(), None);
        event.input = "runs/r2/input/".into();
        assert_eq!(event.chunk_key(), Some("chunk-00007.ndjson"));
    }
}
