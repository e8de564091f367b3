# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

df = pd.read_csv("data/train.csv")
# %%
%time logs = np.log1p(df["monthly_charges"])
plt.hist(logs)
