# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay

df = pd.read_csv("data/train.csv")
df.describe()
# %%
X, y = df[["tenure_months"]].fillna(0), df["churned"]
model = LogisticRegression().fit(X, y)
# %%
# the only figure is about the model, not the data
ConfusionMatrixDisplay.from_estimator(model, X, y)
