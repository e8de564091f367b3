# %% [markdown]
# # Churn
# %%
import pandas as pd

predictions = pd.DataFrame({"customer_id": ["C1"], "churned": [0]})
predictions.to_csv("predictions.csv", index=False)
