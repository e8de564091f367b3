# %% [markdown]
# # Churn: main notebook (see README.md)
# %%
import features
