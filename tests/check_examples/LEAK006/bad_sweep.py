# %% [markdown]
# # Stroke: how many trees?

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X = df.drop(columns=["stroke"])
X_train, X_test, y_train, y_test = train_test_split(X, df["stroke"], test_size=0.2, random_state=0)

# %%
sizes = [10, 25, 50, 100, 200]
accuracy = []
for n in sizes:
    forest = RandomForestClassifier(n_estimators=n, random_state=0)
    forest.fit(X_train, y_train)
    accuracy.append(accuracy_score(y_test, forest.predict(X_test)))
    print(n, accuracy[-1])
plt.plot(sizes, accuracy)
