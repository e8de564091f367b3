# %%
import os

import pandas as pd

# %%
DATA_DIR = r"C:\Users\jane\Documents\takehome"
test = pd.read_csv(os.path.join(DATA_DIR, "test_features.csv"))
