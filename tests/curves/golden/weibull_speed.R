# Golden values for policydiffusion.curves.policy_speed: Mallinson (2016) adoption speed.
# For each SPID policy: one row per state (50 states), duration = year - first + 1 for
# adopters (event 1) and last - first + 1 for non-adopters (event 0, censored at the
# policy's last adoption year); intercept-only AFT models fitted with survival::survreg.
# Policies: those with first < last, sorted by id, every 18th (40 policies).
# Run from the repository root:  Rscript tests/curves/golden/weibull_speed.R
library(survival)
library(jsonlite)
data_dir <- "src/policydiffusion/datasets/data"
ad <- read.csv(file.path(data_dir, "spid_policy_adoptions.csv"), stringsAsFactors = FALSE)
reg <- read.csv(file.path(data_dir, "us_state_regions.csv"), stringsAsFactors = FALSE)
states <- reg$state_name[reg$state_abb != "DC"]
stopifnot(length(states) == 50)
ids <- sort(unique(ad$policy))
span <- sapply(ids, function(p) { y <- ad$adoption_year[ad$policy == p]; max(y) - min(y) })
ids <- ids[span > 0]
chosen <- ids[seq(1, length(ids), by = 18)]
out <- list()
for (p in chosen) {
  a <- ad[ad$policy == p, ]
  first <- min(a$adoption_year); last <- max(a$adoption_year)
  yr <- a$adoption_year[match(states, a$state)]
  event <- as.integer(!is.na(yr))
  time <- ifelse(is.na(yr), last, yr) - first + 1
  fit1 <- function(d) {
    f <- survreg(Surv(time, event) ~ 1, dist = d,
                 control = survreg.control(rel.tolerance = 1e-12, maxiter = 200))
    v <- vcov(f)
    list(intercept = unname(coef(f)[1]),
         log_scale = if (d == "exponential") NA else log(f$scale),
         intercept_se = sqrt(v[1, 1]),
         log_scale_se = if (d == "exponential") NA else sqrt(v[2, 2]),
         loglik = f$loglik[1])
  }
  out[[p]] <- list(policy = p, first = first, last = last, n_adopters = sum(event),
                   weibull = fit1("weibull"), exponential = fit1("exponential"),
                   lognormal = fit1("lognormal"), loglogistic = fit1("loglogistic"))
}
meta <- list(script = "tests/curves/golden/weibull_speed.R", R = R.version.string,
             survival = as.character(packageVersion("survival")),
             control = "survreg.control(rel.tolerance = 1e-12, maxiter = 200)")
writeLines(toJSON(list(meta = meta, policies = unname(out)), digits = NA, auto_unbox = TRUE,
                  na = "null", pretty = TRUE),
           "tests/curves/golden/weibull_speed.json")
