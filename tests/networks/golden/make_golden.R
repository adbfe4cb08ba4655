# Golden values for policydiffusion.networks.netinf from the R package NetworkInference 1.2.5.
#
# Run from the repository root:  Rscript tests/networks/golden/make_golden.R [LIB]
# LIB is the library where NetworkInference 1.2.5 is installed (default: .libPaths()).
# Writes tests/networks/golden/netinf_golden.json next to this script.
#
# How the package was installed for the committed values (no CRAN access here): the
# netinf core of NetworkInference 1.2.5 was rebuilt from the public sources
# (desmarais-lab/NetworkInference); src/netinf.cpp, spanning_tree.cpp, distributions.cpp,
# possible_edges.cpp, vuong_test.cpp and R/netinf.R match the MD5 sums of the CRAN 1.2.x
# release byte for byte; as_cascade_long/order_cascade_ were copied unchanged; headers
# and RcppExports were regenerated (Rcpp::compileAttributes). Debian: r-base-core 4.2.2,
# r-cran-rcpp 1.0.10, r-cran-rcppprogress, r-cran-checkmate, r-cran-assertthat,
# r-cran-jsonlite. The rebuilt package reproduces the vignette's SPID run (686 edges,
# California -> Oregon first).
#
# Cascades are built with the package's own as_cascade_long(). For the example
# cascades node_names = as.character(0:31) (node 19 never adopts); for SPID the
# package default (node names in order of first appearance in the file, which is
# sorted by policy, year, state). Cascade ids are split in the C collation.
args <- commandArgs(trailingOnly = TRUE)
lib <- if (length(args) >= 1) args[1] else NULL
suppressMessages(library(NetworkInference, lib.loc = lib))
suppressMessages(library(jsonlite))
Sys.setlocale("LC_COLLATE", "C")
stopifnot(as.character(packageVersion("NetworkInference", lib.loc = lib)) == "1.2.5")

data_dir <- "src/policydiffusion/datasets/data"
ex <- read.csv(file.path(data_dir, "netinf_example_cascades.csv"),
               colClasses = c("character", "character", "numeric"))
ex_c <- as_cascade_long(ex, cascade_node_name = "node", event_time = "time",
                        cascade_id = "cascade_id", node_names = as.character(0:31))
spid <- read.csv(file.path(data_dir, "spid_policy_adoptions.csv"), stringsAsFactors = FALSE)
spid_c <- as_cascade_long(spid, cascade_node_name = "state", event_time = "adoption_year",
                          cascade_id = "policy")
# a slice: the first 120 policies in C-collation order
slice_pol <- sort(unique(spid$policy))[1:120]
slice <- spid[spid$policy %in% slice_pol, ]
slice_c <- as_cascade_long(slice, cascade_node_name = "state", event_time = "adoption_year",
                           cascade_id = "policy")

run_case <- function(name, data, cascades, model, params = NULL, n_edges = NULL,
                     p_value_cutoff = NULL, trees = FALSE) {
    t0 <- proc.time()[["elapsed"]]
    res <- tryCatch(netinf(cascades, trans_mod = model, n_edges = n_edges,
                           p_value_cutoff = p_value_cutoff, params = params,
                           quiet = TRUE, trees = trees),
                    error = function(e) e)
    elapsed <- proc.time()[["elapsed"]] - t0
    case <- list(name = name, data = data, model = model,
                 params_given = if (is.null(params)) NULL else as.list(params),
                 n_edges = n_edges, p_value_cutoff = p_value_cutoff,
                 node_names = cascades$node_names, seconds = elapsed)
    if (inherits(res, "error")) {
        case$error <- conditionMessage(res)
        return(case)
    }
    net <- if (trees) res$network else res
    case$params <- as.list(attr(net, "diffusion_model_parameters"))
    case$edges <- list(origin = net$origin_node, destination = net$destination_node,
                       improvement = net$improvement, p_value = net$p_value)
    if (trees) {
        tr <- res$trees
        case$trees <- list(parent = tr$parent, child = tr$child,
                           log_score = tr$log_score, cascade_id = tr$cascade_id)
    }
    case
}

cases <- list(
    run_case("example_exp_auto_20_trees", "example", ex_c, "exponential", n_edges = 20, trees = TRUE),
    run_case("example_exp_auto_p05", "example", ex_c, "exponential", p_value_cutoff = 0.05),
    run_case("example_exp_given_60", "example", ex_c, "exponential", params = 1, n_edges = 60),
    run_case("example_rayleigh_auto", "example", ex_c, "rayleigh", n_edges = 10),
    run_case("example_rayleigh_given_40", "example", ex_c, "rayleigh", params = 2, n_edges = 40),
    run_case("example_lognormal_auto_40", "example", ex_c, "log-normal", n_edges = 40),
    run_case("example_lognormal_given_p10", "example", ex_c, "log-normal",
             params = c(0.5, 1.2), p_value_cutoff = 0.1),
    run_case("slice_exp_auto_p05_trees", "spid_slice", slice_c, "exponential",
             p_value_cutoff = 0.05, trees = TRUE),
    run_case("slice_rayleigh_given_150", "spid_slice", slice_c, "rayleigh", params = 5,
             n_edges = 150),
    run_case("slice_lognormal_auto_150", "spid_slice", slice_c, "log-normal", n_edges = 150),
    run_case("spid_exp_auto_p05", "spid", spid_c, "exponential", p_value_cutoff = 0.05),
    run_case("spid_rayleigh_auto", "spid", spid_c, "rayleigh", n_edges = 10),
    run_case("spid_rayleigh_given_100", "spid", spid_c, "rayleigh", params = 10, n_edges = 100),
    run_case("spid_lognormal_auto_100", "spid", spid_c, "log-normal", n_edges = 100)
)
out <- list(package = "NetworkInference", version = "1.2.5",
            r_version = R.version.string, rcpp_version = as.character(packageVersion("Rcpp")),
            slice_policies = slice_pol, cases = cases)
write_json(out, "tests/networks/golden/netinf_golden.json", auto_unbox = TRUE,
           digits = NA, null = "null", pretty = FALSE)
cat("wrote", length(cases), "cases\n")
