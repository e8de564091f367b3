# %% [markdown]
# # Churn: a model, but no predictions file

# %%
import pandas as pd
from sklearn.linear_model import LogisticRegression

train = pd.read_csv("data/train.csv")
model = LogisticRegression(max_iter=1000).fit(train[["support_calls_90d", "num_lines"]], train["churned"])
print(model.coef_)
