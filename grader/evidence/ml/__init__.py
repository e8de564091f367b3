"""Machine-learning facts of the code: the vocabulary (`vocabulary`), where it is used (`facts`),
the submission's own modules (`modules`) and the questions checks ask of them (`queries`)."""
