"""Landing: inbox files → raw/ copy, typed lake rows, rejects, quarantine and the ledger."""
