# %% [markdown]
# # Churn: quick model comparison

# %%
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("data/train.csv")
num = ["tenure_months", "age", "monthly_charges", "data_usage_gb_30d", "support_calls_90d", "num_lines"]
df[num] = df[num].fillna(df[num].median())
df[num] = StandardScaler().fit_transform(df[num])
X, y = df[num], df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
scores = []
for model in [LogisticRegression(), RandomForestClassifier(n_estimators=50, random_state=0, n_jobs=1),
              GradientBoostingClassifier(n_estimators=50, random_state=0)]:
    model.fit(X_train, y_train)
    scores.append((roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]), type(model).__name__))
scores.sort(reverse=True)
print("winner:", scores[0])
