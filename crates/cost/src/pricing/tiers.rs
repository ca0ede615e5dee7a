//! Tiered prices. A monthly quantity is billed at each tier's price for the part of it that falls in that
//! tier, the way AWS bills volume tiers; a free allowance is a first tier priced at zero.

use super::source::Source;

#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    /// Upper bound of the tier, cumulative, in the unit the price is per; `None` for the last tier.
    pub up_to: Option<f64>,
    pub price: f64,
    /// Set when this tier's figure comes from elsewhere than the item's source.
    pub source: Option<Source>,
    pub note: Option<String>,
}

/// At least one tier; bounds strictly increasing; only the last tier is open-ended (checked on load).
#[derive(Clone, Debug, PartialEq)]
pub struct Tiers(Vec<Tier>);

impl Tiers {
    /// Callers guarantee the invariants above; the pricing loader is the only one.
    pub(crate) fn new(tiers: Vec<Tier>) -> Tiers {
        Tiers(tiers)
    }

    pub fn flat(price: f64) -> Tiers {
        Tiers(vec![Tier {
            up_to: None,
            price,
            source: None,
            note: None,
        }])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tier> {
        self.0.iter()
    }

    /// What `quantity` units cost in a month.
    pub fn cost(&self, quantity: f64) -> f64 {
        let mut cost = 0.0;
        let mut lower = 0.0;
        for tier in &self.0 {
            if quantity <= lower {
                break;
            }
            let upper = tier.up_to.unwrap_or(f64::INFINITY);
            cost += (quantity.min(upper) - lower) * tier.price;
            lower = upper;
        }
        cost
    }

    /// The price the last unit of `quantity` is billed at.
    pub fn marginal_price(&self, quantity: f64) -> f64 {
        self.0
            .iter()
            .find(|tier| tier.up_to.is_none_or(|upper| quantity <= upper))
            .map_or(0.0, |tier| tier.price)
    }

    /// What the zero-priced tiers are worth on `quantity`: the free part at the first paid price.
    pub fn free_value(&self, quantity: f64) -> f64 {
        let mut free = 0.0;
        let mut lower = 0.0;
        for tier in &self.0 {
            if quantity <= lower {
                break;
            }
            let upper = tier.up_to.unwrap_or(f64::INFINITY);
            if tier.price == 0.0 {
                free += quantity.min(upper) - lower;
            }
            lower = upper;
        }
        free * self.headline_price()
    }

    /// The first non-zero price: the figure a reader recognises as "the price".
    pub fn headline_price(&self) -> f64 {
        self.0
            .iter()
            .map(|tier| tier.price)
            .find(|price| *price > 0.0)
            .unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers(bounds: &[(Option<f64>, f64)]) -> Tiers {
        Tiers::new(
            bounds
                .iter()
                .map(|&(up_to, price)| Tier {
                    up_to,
                    price,
                    source: None,
                    note: None,
                })
                .collect(),
        )
    }

    #[test]
    fn a_flat_price_is_quantity_times_price() {
        assert_eq!(Tiers::flat(0.5).cost(3.0), 1.5);
    }

    #[test]
    fn a_free_allowance_is_not_billed() {
        let lambda_requests = tiers(&[(Some(1.0), 0.0), (None, 0.20)]);

        assert_eq!(lambda_requests.cost(0.4), 0.0);
        assert!((lambda_requests.cost(3.0) - 0.40).abs() < 1e-12);
    }

    #[test]
    fn each_part_of_the_quantity_is_billed_at_its_own_tier() {
        // REST API: 333M at $3.50, 667M at $2.80, 19B at $2.38, then $1.51.
        let rest = tiers(&[
            (Some(333.0), 3.50),
            (Some(1000.0), 2.80),
            (Some(20000.0), 2.38),
            (None, 1.51),
        ]);

        // 1,500M requests: 333 × 3.50 + 667 × 2.80 + 500 × 2.38 = 1165.50 + 1867.60 + 1190.00.
        assert!((rest.cost(1500.0) - 4223.10).abs() < 1e-9);
        // Exactly on a bound: only the first tier.
        assert!((rest.cost(333.0) - 1165.50).abs() < 1e-9);
    }

    #[test]
    fn the_marginal_price_is_the_price_of_the_tier_the_quantity_ends_in() {
        let rest = tiers(&[(Some(333.0), 3.50), (None, 2.80)]);

        assert_eq!(rest.marginal_price(10.0), 3.50);
        assert_eq!(rest.marginal_price(333.0), 3.50);
        assert_eq!(rest.marginal_price(334.0), 2.80);
    }

    #[test]
    fn a_free_allowance_is_worth_its_used_part_at_the_first_paid_price() {
        let lambda_requests = tiers(&[(Some(1.0), 0.0), (None, 0.20)]);

        assert!((lambda_requests.free_value(3.0) - 0.20).abs() < 1e-12);
        assert!((lambda_requests.free_value(0.5) - 0.10).abs() < 1e-12);
        assert_eq!(Tiers::flat(0.5).free_value(3.0), 0.0);
    }

    #[test]
    fn the_headline_price_skips_the_free_tier() {
        assert_eq!(
            tiers(&[(Some(1.0), 0.0), (None, 0.2)]).headline_price(),
            0.2
        );
    }
}
