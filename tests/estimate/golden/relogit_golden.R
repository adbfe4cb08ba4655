# Golden values for King-Zeng rare-events logit: Zelig::relogit (Debian r-cran-zelig 5.1.7)
# plus glm + sandwich for the variances. Run from this folder:  Rscript relogit_golden.R
# (writes relogit_data.csv and relogit_golden.json). R 4.2.2, Zelig 5.1.7, sandwich 3.0.2.
#
# Zelig's relogit: bias.correct = TRUE subtracts the weighted least-squares coefficients of
# xi = 0.5 Q_ii ((1 + w1) pi - w1) on X with weights W = pi (1 - pi) w_i (King & Zeng 2001,
# eq. 11-12). tau = NULL: w_i = w1 = 1. case.control = "weighting": the glm is fit with
# w_i = w1 y + w0 (1 - y), w1 = tau/ybar, w0 = (1 - tau)/(1 - ybar). Zelig reports the
# glm variance; King & Zeng's factor (n/(n+k))^2 is applied here.
suppressPackageStartupMessages({library(Zelig); library(sandwich); library(jsonlite)})

set.seed(20240917)
n <- 3000
d <- data.frame(x1 = round(rnorm(n), 6), x2 = rbinom(n, 1, 0.3), g = sample(1:40, n, TRUE))
d$y <- rbinom(n, 1, plogis(-3.6 + 0.7 * d$x1 + 0.6 * d$x2))
d$x1[c(5, 17, 400)] <- NA            # complete cases only: ybar is over the 2997 used rows
write.csv(d, "relogit_data.csv", row.names = FALSE, na = "")

f <- y ~ x1 + x2
cc <- d[complete.cases(d), ]
k <- 3
fac <- (nrow(cc) / (nrow(cc) + k))^2
se <- function(v) unname(sqrt(diag(v)))
tau <- 0.005
ctl <- glm.control(epsilon = 1e-14, maxit = 100)

unweighted <- relogit(y ~ x1 + x2, data = cc, control = ctl)
ml <- glm(f, family = binomial, data = cc, control = ctl)
prior_zelig <- relogit(y ~ x1 + x2, data = cc, tau = tau, case.control = "prior", control = ctl)
weighted <- suppressWarnings(relogit(y ~ x1 + x2, data = cc, tau = tau, case.control = "weighting",
                                     control = ctl))
ybar <- mean(cc$y)
wi <- ifelse(cc$y == 1, tau / ybar, (1 - tau) / (1 - ybar))
cc$wi <- wi
wml <- suppressWarnings(glm(f, family = binomial, data = cc, weights = wi,
                            control = ctl))

out <- list(
  nobs = nrow(cc), ybar = ybar, tau = tau, terms = names(coef(ml)),
  ml = unname(coef(ml)),
  kz = unname(coef(unweighted)),
  kz_se_classical = se(vcov(ml) * fac),
  prior_zelig = unname(coef(prior_zelig)),
  weighting = unname(coef(weighted)),
  weighting_ml = unname(coef(wml)),
  weighting_se_hc0 = se(vcovHC(wml, type = "HC0") * fac),
  weighting_se_cluster_g = se(vcovCL(wml, cluster = ~g, type = "HC0", cadjust = TRUE) * fac)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "relogit_golden.json")
