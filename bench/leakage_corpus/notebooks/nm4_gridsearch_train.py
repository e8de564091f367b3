# %% [markdown]
# # Churn: tune on the training rows

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges", "age"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(-1), df["churned"], test_size=0.25,
                                                    random_state=0)

# %%
grid = GridSearchCV(RandomForestClassifier(random_state=0, n_jobs=1), {"max_depth": [3, 6, None],
                                                                      "n_estimators": [50]}, cv=3,
                    scoring="roc_auc")
grid.fit(X_train, y_train)
print(grid.best_params_, grid.best_score_)
print("test AUC", roc_auc_score(y_test, grid.predict_proba(X_test)[:, 1]))
