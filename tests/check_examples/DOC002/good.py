# %% [markdown]
# # Churn prediction
# %% [markdown]
# ## 1. Data audit
# %%
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
df.info()
# %% [markdown]
# ## 2. Exploration
# %%
df.describe()
# %% [markdown]
# ## 3. Model
# %%
from sklearn.linear_model import LogisticRegression
# %% [markdown]
# ## 4. Conclusions
