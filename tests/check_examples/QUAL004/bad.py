# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
from sklearn.model_selection import train_test_split

X_train, X_val = train_test_split(df, random_state=0)
# %%
import numpy as np
from sklearn.linear_model import LogisticRegression

model = LogisticRegression()
# %%
from sklearn.metrics import roc_auc_score
