# %% [markdown]
# # Readmission: random split of visits

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

visits = pd.read_csv("data/train.csv")
features = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay", "visit_number"]
X_train, X_test, y_train, y_test = train_test_split(visits[features], visits["readmitted"], test_size=0.2,
                                                    random_state=0, stratify=visits["readmitted"])

# %%
model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
