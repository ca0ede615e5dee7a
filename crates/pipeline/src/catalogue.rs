//! The product catalogue the API serves (core's seed catalogue), indexed for the join.

use std::collections::HashMap;

use twinstack_core::seed::DataSet;

/// Skus and list prices, each product at a fixed index so per-chunk sums can use a plain array.
#[derive(Clone, Debug)]
pub struct Catalogue {
    skus: Vec<String>,
    prices_cents: Vec<u64>,
    index: HashMap<String, usize>,
}

impl Catalogue {
    /// The catalogue `twinstack seed` loads into both stores.
    pub fn seed() -> Catalogue {
        let products = DataSet::generate(0, 0).products;
        let skus: Vec<String> = products.iter().map(|p| p.sku.to_string()).collect();
        let index = skus
            .iter()
            .enumerate()
            .map(|(i, sku)| (sku.clone(), i))
            .collect();
        Catalogue {
            prices_cents: products.iter().map(|p| p.price_cents).collect(),
            skus,
            index,
        }
    }

    pub fn len(&self) -> usize {
        self.skus.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skus.is_empty()
    }

    /// The product's index, if the catalogue sells `sku`.
    pub fn find(&self, sku: &str) -> Option<usize> {
        self.index.get(sku).copied()
    }

    pub fn sku(&self, index: usize) -> &str {
        &self.skus[index]
    }

    pub fn price_cents(&self, index: usize) -> u64 {
        self.prices_cents[index]
    }
}
