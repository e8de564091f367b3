# %% [markdown]
# # Diabetes: split first, then balance the training rows only

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

dataset = pd.read_csv("data/diabetes.csv")
train, test = train_test_split(dataset, test_size=0.2, random_state=15, stratify=dataset["Outcome"])

# %% [markdown]
# Oversample the positive class of the training rows (with replacement); the test rows stay as they are.

# %%
positive = train[train.Outcome == 1]
negative = train[train.Outcome == 0]
train = pd.concat((positive.sample(len(negative), replace=True, random_state=0), negative), axis=0)

# %%
model = LogisticRegression(max_iter=1000).fit(train.drop(columns=["Outcome"]), train["Outcome"])
print("F1:", f1_score(test["Outcome"], model.predict(test.drop(columns=["Outcome"]))))
