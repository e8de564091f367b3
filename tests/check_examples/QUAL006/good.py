# %%
import warnings

import pandas as pd

# only pandas' FutureWarning about a default that changes in 3.0, which does not apply here
warnings.filterwarnings("ignore", category=FutureWarning)
df = pd.read_csv("data/train.csv")
# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    df.loc[:, "tenure_years"] = df["tenure_months"] / 12
