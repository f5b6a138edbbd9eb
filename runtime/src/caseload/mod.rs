//! Case data: the VM's columnar layout, (later) the NDJSON and CSV readers and the writers.

pub mod batch;
