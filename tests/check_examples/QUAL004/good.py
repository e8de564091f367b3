# %%
import warnings

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

SEED = 0
pd.set_option("display.max_columns", 50)
# %%
df = pd.read_csv("data/train.csv")
# %%
from sklearn.model_selection import train_test_split  # one late import is tolerated
