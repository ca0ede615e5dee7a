//! DynamoDB capacity units per operation, as DynamoDB meters them: a read unit covers 4 KB (half a unit
//! when eventually consistent, two when transactional), a write unit covers 1 KB (two when
//! transactional). Used to derive default per-endpoint units; measured consumed capacity replaces them.

#[derive(Clone, Copy, Debug)]
pub enum Read {
    Eventual,
    Strong,
    Transactional,
}

#[derive(Clone, Copy, Debug)]
pub enum Write {
    Standard,
    Transactional,
}

/// Read request units for one item of `item_kb`.
pub fn read_units(kind: Read, item_kb: f64) -> f64 {
    let blocks = (item_kb / 4.0).ceil().max(1.0);
    blocks
        * match kind {
            Read::Eventual => 0.5,
            Read::Strong => 1.0,
            Read::Transactional => 2.0,
        }
}

/// Write request units for one item of `item_kb`.
pub fn write_units(kind: Write, item_kb: f64) -> f64 {
    let blocks = item_kb.ceil().max(1.0);
    blocks
        * match kind {
            Write::Standard => 1.0,
            Write::Transactional => 2.0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eventually_consistent_read_of_a_small_item_is_half_a_unit() {
        assert_eq!(read_units(Read::Eventual, 0.4), 0.5);
    }

    #[test]
    fn a_strongly_consistent_read_of_an_8_kb_item_is_two_units() {
        assert_eq!(read_units(Read::Strong, 8.0), 2.0);
    }

    #[test]
    fn a_transactional_read_of_an_8_kb_item_is_four_units() {
        assert_eq!(read_units(Read::Transactional, 8.0), 4.0);
    }

    #[test]
    fn a_standard_write_of_a_3_kb_item_is_three_units() {
        assert_eq!(write_units(Write::Standard, 3.0), 3.0);
    }

    #[test]
    fn a_transactional_write_costs_double() {
        assert_eq!(write_units(Write::Transactional, 3.0), 6.0);
        assert_eq!(write_units(Write::Transactional, 0.5), 2.0);
    }
}
