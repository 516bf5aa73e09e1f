# Regenerates the weighting test fixtures in exports/tests/fixtures/weighting/ with the R
# reference implementations: survey::rake, survey::calibrate, survey::postStratify and
# sampling::calib. Usage (from the repository root):
#   Rscript exports/scripts/weighting/make_fixtures.R
# The data set and the margins are SYNTHETIC (drawn with a fixed seed below); they are test
# material only, not INSEE figures.

suppressPackageStartupMessages({
  library(survey)
  library(sampling)
})

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "exports/tests/fixtures/weighting"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

# Tight stopping rules so that the fixtures are the exact solutions (R defaults are looser:
# rake epsilon = 1 weighted person, calibrate epsilon = 1e-7).
EPS <- 1e-13
BOUNDS <- c(0.5, 2.5)  # bounds on g = w/d for logit and truncated, chosen so that they bind

write_weights <- function(name, w) {
  stopifnot(all(is.finite(w)))
  write.csv(data.frame(id = df$id, weight = sprintf("%.17g", w)),
            file.path(out, name), row.names = FALSE, quote = FALSE)
}

write_margins <- function(name, margins) {
  rows <- do.call(rbind, lapply(names(margins), function(v) {
    m <- margins[[v]]
    data.frame(variable = v, category = names(m), target_total = sprintf("%.17g", unname(m)))
  }))
  write.csv(rows, file.path(out, name), row.names = FALSE, quote = FALSE)
}

# ---- synthetic respondents ----------------------------------------------------------------
set.seed(20261123)
n <- 1200
communes <- sprintf("c%02d", 1:6)
ages <- c("15-29", "30-44", "45-59", "60-74", "75+")
diplomas <- c("aucun", "cap-bep", "bac", "superieur")
commune <- sample(communes, n, replace = TRUE, prob = c(0.30, 0.22, 0.18, 0.14, 0.10, 0.06))
sexe <- ifelse(runif(n) < ifelse(commune %in% c("c01", "c04"), 0.60, 0.52), "F", "H")
age <- sample(ages, n, replace = TRUE, prob = c(0.12, 0.18, 0.24, 0.28, 0.18))
diplome <- sample(diplomas, n, replace = TRUE, prob = c(0.10, 0.22, 0.25, 0.43))
N <- 100000
commune_pop <- c(c01 = 25000, c02 = 21000, c03 = 19000, c04 = 15000, c05 = 12000, c06 = 8000)
# design weights: inverse inclusion by commune times a random non-response factor
n_c <- table(factor(commune, levels = communes))
poids_base <- as.vector(commune_pop[commune] / n_c[commune]) * runif(n, 0.75, 1.25)
df <- data.frame(id = sprintf("r%04d", 1:n), commune, sexe, age, diplome,
                 mode = sample(c("fixe", "mobile"), n, replace = TRUE),
                 poids_base = round(poids_base, 4), stringsAsFactors = FALSE)
for (v in c("commune", "sexe", "age", "diplome")) df[[v]] <- factor(df[[v]])
df$commune <- factor(df$commune, levels = communes)
df$age <- factor(df$age, levels = ages)
df$diplome <- factor(df$diplome, levels = diplomas)
write.csv(df, file.path(out, "respondents.csv"), row.names = FALSE, quote = FALSE)

# ---- synthetic margins (every margin sums to N, crossed and one-way agree) ---------------
women_share <- c(c01 = 0.53, c02 = 0.52, c03 = 0.51, c04 = 0.54, c05 = 0.50, c06 = 0.52)
women <- round(commune_pop * women_share)
commune_sexe <- c(rbind(women, commune_pop - women))
names(commune_sexe) <- c(rbind(paste0(communes, ":F"), paste0(communes, ":H")))
sexe_pop <- c(F = sum(women), H = N - sum(women))
age_pop <- c("15-29" = 24000, "30-44" = 23000, "45-59" = 22000, "60-74" = 19000, "75+" = 12000)
diplome_pop <- c(aucun = 18000, "cap-bep" = 24000, bac = 20000, superieur = 38000)
sexe_age <- round(outer(sexe_pop / N, age_pop))
sexe_age_pop <- c(t(sexe_age))
names(sexe_age_pop) <- c(outer(ages, c("F", "H"), function(a, s) paste0(s, ":", a)))

write_margins("margins_oneway.csv",
              list(commune = commune_pop, sexe = sexe_pop, age = age_pop, diplome = diplome_pop))
write_margins("margins_crossed.csv",
              list("commune:sexe" = commune_sexe, age = age_pop, diplome = diplome_pop))
write_margins("margins_poststrat.csv", list("sexe:age" = sexe_age_pop))
# an empty cell: a diploma category nobody in the sample has
write_margins("margins_emptycell.csv",
              list(commune = commune_pop, sexe = sexe_pop, age = age_pop,
                   diplome = c(diplome_pop - c(0, 0, 0, 1500), doctorat = 1500)))

# ---- survey package -----------------------------------------------------------------------
tab <- function(v, x) {
  t <- data.frame(names(x), unname(x))
  names(t) <- c(v, "Freq")
  t[[v]] <- factor(t[[v]], levels = levels(df[[v]]))
  t
}
pop_oneway <- list(tab("commune", commune_pop), tab("sexe", sexe_pop), tab("age", age_pop),
                   tab("diplome", diplome_pop))
strata_oneway <- list(~commune, ~sexe, ~age, ~diplome)
unweighted <- suppressWarnings(svydesign(ids = ~1, data = df))
based <- svydesign(ids = ~1, weights = ~poids_base, data = df)
ctl <- list(maxit = 1000, epsilon = EPS, verbose = FALSE)

write_weights("survey_rake_oneway.csv",
              weights(rake(unweighted, strata_oneway, pop_oneway, control = ctl)))
write_weights("survey_rake_oneway_base.csv",
              weights(rake(based, strata_oneway, pop_oneway, control = ctl)))

cs <- data.frame(commune = factor(rep(communes, each = 2), levels = communes),
                 sexe = factor(rep(c("F", "H"), 6)), Freq = commune_sexe)
pop_crossed <- list(cs, tab("age", age_pop), tab("diplome", diplome_pop))
strata_crossed <- list(~commune + sexe, ~age, ~diplome)
write_weights("survey_rake_crossed_base.csv",
              weights(rake(based, strata_crossed, pop_crossed, control = ctl)))

# calibrate() with a model matrix: intercept-free full dummies are redundant, so use the
# treatment coding R builds, with matching population totals.
totals_oneway <- c("(Intercept)" = N, communec02 = 21000, communec03 = 19000, communec04 = 15000,
                   communec05 = 12000, communec06 = 8000, sexeH = unname(sexe_pop["H"]),
                   "age30-44" = 23000, "age45-59" = 22000, "age60-74" = 19000, "age75+" = 12000,
                   "diplomecap-bep" = 24000, diplomebac = 20000, diplomesuperieur = 38000)
f_oneway <- ~commune + sexe + age + diplome
stopifnot(identical(names(totals_oneway), colnames(model.matrix(f_oneway, df))))
cal <- function(design, formula, totals, ...) {
  weights(calibrate(design, formula, totals, maxit = 500, epsilon = EPS, ...))
}
write_weights("survey_calibrate_linear_oneway_base.csv", cal(based, f_oneway, totals_oneway))
write_weights("survey_calibrate_raking_oneway_base.csv",
              cal(based, f_oneway, totals_oneway, calfun = "raking"))
write_weights("survey_calibrate_logit_oneway_base.csv",
              cal(based, f_oneway, totals_oneway, calfun = "logit", bounds = BOUNDS))
# linear calfun with bounds = truncated linear calibration
write_weights("survey_calibrate_truncated_oneway_base.csv",
              cal(based, f_oneway, totals_oneway, calfun = "linear", bounds = BOUNDS))

f_crossed <- ~commune:sexe + age + diplome
mm <- model.matrix(f_crossed, df)
cs_totals <- setNames(commune_sexe, paste0("commune", communes[rep(1:6, each = 2)], ":sexe",
                                           rep(c("F", "H"), 6)))
totals_crossed <- c("(Intercept)" = N, totals_oneway[8:14], cs_totals)
totals_crossed <- totals_crossed[colnames(mm)[colnames(mm) %in% names(totals_crossed)]]
write_weights("survey_calibrate_raking_crossed_base.csv",
              cal(based, f_crossed, totals_crossed, calfun = "raking"))

ps <- postStratify(based, ~sexe + age,
                   data.frame(sexe = factor(rep(c("F", "H"), each = 5)),
                              age = factor(rep(ages, 2), levels = ages),
                              Freq = c(sexe_age[1, ], sexe_age[2, ])))
write_weights("survey_poststrat_sexe_age_base.csv", weights(ps))

# ---- sampling package ---------------------------------------------------------------------
Xs <- cbind(disjunctive(df$commune), disjunctive(df$sexe), disjunctive(df$age),
            disjunctive(df$diplome))
total <- c(commune_pop, sexe_pop, age_pop, diplome_pop)
d <- df$poids_base
calib_w <- function(method, ...) d * calib(Xs, d, total, method = method, max_iter = 500, ...)
write_weights("sampling_calib_linear_oneway_base.csv", calib_w("linear"))
write_weights("sampling_calib_raking_oneway_base.csv", calib_w("raking"))
write_weights("sampling_calib_logit_oneway_base.csv", calib_w("logit", bounds = BOUNDS))
write_weights("sampling_calib_truncated_oneway_base.csv", calib_w("truncated", bounds = BOUNDS))

cat("fixtures written to", out, "\n")
