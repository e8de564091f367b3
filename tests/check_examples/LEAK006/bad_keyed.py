# %% [markdown]
# # Wine: best model by test F1

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X_train, X_test, y_train, y_test = train_test_split(df.drop(columns=["good"]), df["good"], random_state=0)


def evaluate(model):
    model.fit(X_train, y_train)
    return {"model": model, "test_f1": f1_score(y_test, model.predict(X_test))}


# %%
results = {"logreg": evaluate(LogisticRegression(max_iter=1000)), "forest": evaluate(RandomForestClassifier())}
best_name = max(results.keys(), key=lambda name: results[name]["test_f1"])
print("best:", best_name, results[best_name]["test_f1"])
