# %% [markdown]
# # Churn: label-encode the categoricals

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder

data = pd.read_csv("data/train.csv")
cat_cols = ["region", "plan_tier", "contract_type", "payment_method"]
le = LabelEncoder()
for c in cat_cols:
    data[c] = le.fit_transform(data[c].astype(str))

# %%
X = data[[*cat_cols, "support_calls_90d", "num_lines"]]
X_train, X_test, y_train, y_test = train_test_split(X, data["churned"], test_size=0.3, random_state=2)
rf = RandomForestClassifier(n_estimators=50, random_state=2, n_jobs=1).fit(X_train, y_train)
print(accuracy_score(y_test, rf.predict(X_test)))
