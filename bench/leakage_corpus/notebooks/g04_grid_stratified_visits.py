# %% [markdown]
# # Readmission: tuned with stratified folds

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

visits = pd.read_csv("data/train.csv")
features = ["age", "lab_a", "lab_b", "lab_c", "length_of_stay"]
grid = GridSearchCV(LogisticRegression(max_iter=1000), {"C": [0.1, 1, 10]},
                    cv=StratifiedKFold(5, shuffle=True, random_state=0), scoring="roc_auc")
grid.fit(visits[features], visits["readmitted"])
print(grid.best_params_, grid.best_score_)
