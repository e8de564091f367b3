"""Feature engineering: missing values, categorical encoding, scaling, new features, pipelines."""
