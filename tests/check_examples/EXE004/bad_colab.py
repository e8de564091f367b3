# %%
from google.colab import drive

drive.mount("/content/drive")
# %%
import pandas as pd

name = "train"
df = pd.read_csv(f"/content/drive/MyDrive/takehome/{name}.csv")
