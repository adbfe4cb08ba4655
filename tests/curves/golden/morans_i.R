# Golden values for policydiffusion.curves.morans_i: Moran's I of adoption years over
# US land contiguity (AK and HI isolates), non-adopters censored at 2018 (study end 2017 + 1),
# weights row-standardised ("W") and binary ("B"), spdep::moran.test under normality and
# randomisation with zero.policy = TRUE and adjust.n = FALSE (isolates count in n).
# Run from the repository root:  Rscript tests/curves/golden/morans_i.R
library(spdep)
library(jsonlite)
data_dir <- "src/policydiffusion/datasets/data"
ad <- read.csv(file.path(data_dir, "spid_policy_adoptions.csv"), stringsAsFactors = FALSE)
reg <- read.csv(file.path(data_dir, "us_state_regions.csv"), stringsAsFactors = FALSE)
reg <- reg[reg$state_abb != "DC", ]
adj <- read.csv(file.path(data_dir, "us_state_adjacency.csv"), stringsAsFactors = FALSE)
adj <- adj[adj$land_border == 1 & adj$state != "DC" & adj$neighbor != "DC", ]
codes <- reg$state_abb
nb <- lapply(codes, function(s) { k <- match(adj$neighbor[adj$state == s], codes); if (length(k)) sort(as.integer(k)) else 0L })
class(nb) <- "nb"; attr(nb, "region.id") <- codes; attr(nb, "sym") <- TRUE
policies <- c("aborparc", "aborparn", "antibully", "antistalk", "smokeban", "termlim",
              "aboldeapen", "antimis", "antiage", "medicalrest")
out <- list()
for (p in policies) {
  a <- ad[ad$policy == p, ]
  x <- a$adoption_year[match(reg$state_name, a$state)]
  x[is.na(x)] <- 2018
  res <- list(policy = p, x = x)
  for (style in c("W", "B")) {
    lw <- nb2listw(nb, style = style, zero.policy = TRUE)
    for (rnd in c(TRUE, FALSE)) {
      m <- moran.test(x, lw, randomisation = rnd, zero.policy = TRUE, adjust.n = FALSE,
                      alternative = "greater")
      key <- paste0(style, if (rnd) "_randomisation" else "_normal")
      res[[key]] <- list(statistic = unname(m$estimate[1]), expected = unname(m$estimate[2]),
                         variance = unname(m$estimate[3]), p_value = m$p.value)
    }
  }
  out[[p]] <- res
}
meta <- list(script = "tests/curves/golden/morans_i.R", R = R.version.string,
             spdep = as.character(packageVersion("spdep")), units = codes)
writeLines(toJSON(list(meta = meta, policies = unname(out)), digits = NA, auto_unbox = TRUE,
                  pretty = TRUE), "tests/curves/golden/morans_i.json")
