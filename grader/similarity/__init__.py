"""Similarity and copying: notebooks of a batch compared with each other and with known public solutions.

`fingerprint` normalises code through the AST and markdown into words, `boilerplate`
removes what is not evidence of copying, `index` proposes candidate pairs with MinHash
LSH, `compare` scores them, and `detect.find_similar` runs the whole stage. Static: it
reads the notebooks' sources only, never their outputs, and needs no sandbox.
`grader.pipeline.similarity` runs it on a graded batch (flags, side-by-side pages).
"""
