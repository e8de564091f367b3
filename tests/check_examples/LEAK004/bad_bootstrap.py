# %% [markdown]
# # Diabetes: balance the classes, then split

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

dataset = pd.read_csv("data/diabetes.csv")
positive = dataset[dataset.Outcome == 1]
negative = dataset[dataset.Outcome == 0]

# %% [markdown]
# Oversample the positive class (with replacement) so both classes have the same size.

# %%
positive_oversampled = positive.sample(len(negative), replace=True)
dataset = pd.concat((positive_oversampled, negative), axis=0)

# %%
X = dataset.drop(columns=["Outcome"])
y = dataset["Outcome"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=15, stratify=y)
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("F1:", f1_score(y_test, model.predict(X_test)))
