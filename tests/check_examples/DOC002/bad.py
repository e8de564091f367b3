# %% [markdown]
# # Analysis
# %%
import pandas as pd
# %%
df = pd.read_csv("data/train.csv")
# %%
df.info()
# %%
df.describe()
# %%
df.isna().sum()
# %%
df["churned"].value_counts()
# %%
X = df.drop(columns=["churned"])
# %%
y = df["churned"]
# %%
from sklearn.model_selection import train_test_split
# %%
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
# %%
from sklearn.linear_model import LogisticRegression
# %%
model = LogisticRegression()
# %%
model.fit(X_train.select_dtypes("number").fillna(0), y_train)
# %%
print("done")
