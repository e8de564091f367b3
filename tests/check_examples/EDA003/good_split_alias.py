# %%
import pandas as pd
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/train.csv")
X, y = df.drop(columns=["churned"]), df.churned
X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=0)
print(f"churn rate in training: {y_train.mean():.3f}")
