# %% [markdown]
# # Churn: split, then scale

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
X = df[cols].fillna(-1)
y = df.churned
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=2)

# %%
scaler = MinMaxScaler()
scaler.fit(X)
X_train_s = scaler.transform(X_train)
X_test_s = scaler.transform(X_test)

# %%
model = LogisticRegression().fit(X_train_s, y_train)
print(roc_auc_score(y_test, model.predict_proba(X_test_s)[:, 1]))
