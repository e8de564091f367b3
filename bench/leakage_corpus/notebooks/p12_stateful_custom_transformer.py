# %% [markdown]
# # Churn: a custom standardiser

# %%
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split


class Standardise(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        self.mean_ = X.mean()
        self.std_ = X.std()
        return self

    def transform(self, X):
        return (X - self.mean_) / self.std_


df = pd.read_csv("data/train.csv")
cols = ["support_calls_90d", "num_lines", "tenure_months"]
X = Standardise().fit_transform(df[cols].fillna(0))

# %%
X_train, X_test, y_train, y_test = train_test_split(X, df["churned"], random_state=0)
model = LogisticRegression().fit(X_train, y_train)
print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
