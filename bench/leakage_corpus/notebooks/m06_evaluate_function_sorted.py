# %% [markdown]
# # Churn: an evaluation helper and a leaderboard

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

df = pd.read_csv("data/train.csv")
cols = ["tenure_months", "support_calls_90d", "num_lines", "monthly_charges"]
X_train, X_test, y_train, y_test = train_test_split(df[cols].fillna(0), df["churned"], random_state=4)


def evaluate(model):
    model.fit(X_train, y_train)
    return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])


# %%
leaderboard = pd.DataFrame([
    {"model": "lr", "auc": evaluate(LogisticRegression(max_iter=1000))},
    {"model": "rf", "auc": evaluate(RandomForestClassifier(n_estimators=60, random_state=4, n_jobs=1))},
    {"model": "knn", "auc": evaluate(KNeighborsClassifier(n_neighbors=25))},
]).sort_values("auc", ascending=False)
print(leaderboard)
chosen = leaderboard.iloc[0]["model"]
print("chosen:", chosen)
