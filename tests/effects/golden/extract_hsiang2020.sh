#!/bin/sh
# Published China estimates of Hsiang et al. (2020, Nature 584:262-267), as the authors'
# repository records them: results/source_data/Figure2_data.csv (written by
# code/models/alt_growth_rates/CHN_adm2.do with Stata's round(x, 0.001)).
# Repository Global-Policy-Lab/gpl-covid, commit 84369c56b76f67c6b91f42872ea124636450c82a.
# Usage: extract_hsiang2020.sh /path/to/gpl-covid/git-dir > hsiang2020_chn_published.csv
set -e
echo "adm0,policy,beta,se"
git -C "$1" show 84369c56b76f67c6b91f42872ea124636450c82a:results/source_data/Figure2_data.csv \
  | grep '^"CHN",' | tr -d '"'

# Second golden (run with a second argument, the output path): the authors' own regression
# sample, models/reg_data/CHN_reg_data.csv (their `outsheet` of the Stata data just before
# reghdfe), reduced to the rows with a growth rate: adm1_name, adm2_name, date, D_l_active_cases.
if [ -n "$2" ]; then
  git -C "$1" show 84369c56b76f67c6b91f42872ea124636450c82a:models/reg_data/CHN_reg_data.csv \
    | python3 -c "
import sys, pandas as pd
r = pd.read_csv(sys.stdin, usecols=['adm1_name', 'adm2_name', 'date', 'D_l_active_cases'])
r = r[r['D_l_active_cases'].notna()]
r.to_csv(sys.argv[1], index=False, compression={'method': 'gzip', 'mtime': 0})
" "$2"
fi
