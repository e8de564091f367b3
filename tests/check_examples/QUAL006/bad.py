# %%
import warnings

import pandas as pd

warnings.filterwarnings("ignore")
pd.options.mode.chained_assignment = None
