# Golden values for tests/estimate: R glm + sandwich and survival::coxph on the committed CSVs.
# Run from this folder:  Rscript golden.R   (writes glm_golden.json and cox_golden.json)
# R 4.2.2, sandwich 3.0.2, survival 3.5.3.
suppressPackageStartupMessages({library(sandwich); library(survival); library(jsonlite)})

d <- read.csv("glm_panel.csv", stringsAsFactors = FALSE)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

se <- function(v) unname(sqrt(diag(v)))
one <- function(fit, twoway = TRUE) {
  list(
    terms = names(coef(fit)),
    estimate = unname(coef(fit)),
    nobs = nobs(fit),
    loglik = as.numeric(logLik(fit)),
    aic = AIC(fit),
    bic = BIC(fit),
    null_deviance = fit$null.deviance,
    se_classical = se(vcov(fit)),
    se_hc0 = se(vcovHC(fit, type = "HC0")),
    se_hc1 = se(vcovHC(fit, type = "HC1")),
    se_cluster_state = se(vcovCL(fit, cluster = ~state, type = "HC0", cadjust = TRUE)),
    se_cluster_regress_state = se(vcovCL(fit, cluster = ~state, type = "HC1", cadjust = TRUE)),
    se_cluster_state_year = if (twoway) se(vcovCL(fit, cluster = ~state + year, type = "HC0",
                                      cadjust = TRUE, multi0 = FALSE)) else NULL,
    se_cluster_regress_state_year = if (twoway) se(vcovCL(fit, cluster = ~state + year,
                                      type = "HC1", cadjust = TRUE, multi0 = FALSE)) else NULL
  )
}

out <- list()
f_main <- adopt ~ x1 * d + x2 + x3 + region
for (lk in c("logit", "probit", "cloglog")) {
  fit <- glm(f_main, data = d, family = binomial(link = lk), control = ctl)
  out[[lk]] <- one(fit)
}
fitw <- glm(f_main, data = d, family = binomial("logit"), weights = w, control = ctl)
out[["logit_weighted"]] <- one(fitw)
fitfe <- glm(adopt ~ x1 + x2 + factor(year), data = d, family = binomial("logit"), control = ctl)
out[["logit_year_fe"]] <- one(fitfe, twoway = FALSE)
write_json(out, "glm_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)

cx <- read.csv("cox_tv.csv")
cctl <- coxph.control(eps = 1e-13, iter.max = 100, toler.chol = 1e-15)
cone <- function(fit) list(
  terms = names(coef(fit)), estimate = unname(coef(fit)),
  se_naive = unname(sqrt(diag(fit$naive.var %||% fit$var))),
  se = unname(sqrt(diag(fit$var))),
  loglik = fit$loglik[2], loglik_null = fit$loglik[1], nevent = fit$nevent, n = fit$n)
`%||%` <- function(a, b) if (is.null(a)) b else a
cout <- list()
for (ties in c("efron", "breslow")) {
  f0 <- coxph(Surv(start, stop, event) ~ x1 + x2, data = cx, ties = ties, control = cctl)
  f1 <- coxph(Surv(start, stop, event) ~ x1 + x2, data = cx, ties = ties, control = cctl,
              cluster = cluster)
  f2 <- coxph(Surv(start, stop, event) ~ x1 + x2 + strata(stratum), data = cx, ties = ties,
              control = cctl, cluster = cluster)
  cx$row <- seq_len(nrow(cx))
  f3 <- coxph(Surv(start, stop, event) ~ x1 + x2, data = cx, ties = ties, control = cctl,
              cluster = row)
  cout[[ties]] <- list(plain = cone(f0), cluster = cone(f1), strata_cluster = cone(f2),
                       robust_rows = cone(f3))
}
write_json(cout, "cox_golden.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
