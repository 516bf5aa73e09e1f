# Reference fixtures for the `exports::indicators` tests (weighted proportions, linearised SEs).
#
# Builds a small deterministic synthetic survey (600 respondents, 5 communes, sex, age band,
# household-size base weights, two 0/1 indicators with missing values), calibrates it with
# survey::calibrate(calfun = "raking") to synthetic margins, and writes:
#   data.csv       one row per respondent, with base weight w0 and calibrated weight w;
#   estimates.csv  svymean (overall) and svyby(~y, ~commune, svymean) estimates, SEs and
#                  design effects (deff = "replace") for the plain-weights design (weights
#                  treated as fixed), for the calibrated design, and for the same margins raked
#                  by rake();
#   table_calibrated.csv  the per-commune indicator table (calibrated design, Wald 95 %
#                  interval clipped to [0, 1], 6 decimals), as `indicator_table` must write it.
# Then a second survey of 300 respondents whose communes include tiny ones (1, 3, 5 and 8
# respondents), calibrated the same way, and:
#   data_small.csv one row per respondent, as data.csv;
#   intervals.csv  svyciprop intervals (method "logit", "xlogit" with df = degf(design), and
#                  "beta") with the effective sample size and degrees of freedom, for both
#                  surveys, plain and calibrated designs, overall and per commune;
#   table_small.csv the indicator table of the second survey with the default options
#                  (calibrated design, Korn-Graubard interval, small-domain flag at 30).
# The margins and the data are synthetic: they describe no real population.
#
# Usage (from the repository root):
#   Rscript exports/scripts/indicators/make_fixtures.R exports/tests/fixtures/indicators
suppressMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "exports/tests/fixtures/indicators"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261123)
n <- 600
communes <- c("A", "B", "C", "D", "E")
ages <- c("18-29", "30-44", "45-59", "60-74", "75+")
commune <- sample(communes, n, replace = TRUE, prob = c(0.40, 0.25, 0.20, 0.12, 0.03))
sexe <- sample(c("F", "H"), n, replace = TRUE, prob = c(0.6, 0.4))
age <- sample(ages, n, replace = TRUE, prob = c(0.10, 0.20, 0.25, 0.25, 0.20))
menage <- sample(1:4, n, replace = TRUE)
w0 <- 150 * menage
age_index <- match(age, ages)
# No device at all: strongly related to age (a calibration variable).
p1 <- c(0.02, 0.03, 0.06, 0.15, 0.40)[age_index]
y1 <- as.integer(runif(n) < p1)
y1[runif(n) < 0.05] <- NA
# Difficulty with online procedures: weakly related to sex, related to commune.
p2 <- 0.30 + 0.05 * (sexe == "F") + c(0, 0.05, 0.10, -0.05, 0.15)[match(commune, communes)]
y2 <- as.integer(runif(n) < p2)
y2[runif(n) < 0.08] <- NA

data <- data.frame(id = seq_len(n), commune = commune, sexe = sexe, age = age, w0 = w0,
                   y1 = y1, y2 = y2, stringsAsFactors = FALSE)
data$commune <- factor(data$commune, levels = communes)
data$sexe <- factor(data$sexe, levels = c("F", "H"))
data$age <- factor(data$age, levels = ages)

# Synthetic population margins (total 300,000).
pop_commune <- c(A = 100000, B = 80000, C = 60000, D = 45000, E = 15000)
pop_sexe <- c(F = 156000, H = 144000)
pop_age <- c(`18-29` = 60000, `30-44` = 75000, `45-59` = 72000, `60-74` = 57000, `75+` = 36000)
population <- c(`(Intercept)` = sum(pop_commune),
                setNames(pop_commune[-1], paste0("commune", names(pop_commune)[-1])),
                setNames(pop_sexe[-1], paste0("sexe", names(pop_sexe)[-1])),
                setNames(pop_age[-1], paste0("age", names(pop_age)[-1])))

base <- svydesign(ids = ~1, weights = ~w0, data = data)
cal <- calibrate(base, ~commune + sexe + age, population = population, calfun = "raking",
                 epsilon = 1e-12, maxit = 100)
data$w <- weights(cal)
plain <- svydesign(ids = ~1, weights = ~w, data = data)
# The same margins by rake() (IPF). Its weights equal calibrate()'s, but its variance
# projects the influence values on the margins without the base weights (unit-weight
# backfitting): exports::indicators reproduces it with base weights of 1.
raked <- rake(base, list(~commune, ~sexe, ~age),
              list(data.frame(commune = names(pop_commune), Freq = unname(pop_commune)),
                   data.frame(sexe = names(pop_sexe), Freq = unname(pop_sexe)),
                   data.frame(age = names(pop_age), Freq = unname(pop_age))),
              control = list(maxit = 1000, epsilon = 1e-13))
stopifnot(max(abs(weights(raked) / data$w - 1)) < 1e-9)

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
csv_data <- data.frame(id = data$id, commune = as.character(data$commune),
                       sexe = as.character(data$sexe), age = as.character(data$age),
                       w0 = fmt(data$w0), w = fmt(data$w),
                       y1 = ifelse(is.na(data$y1), "", data$y1),
                       y2 = ifelse(is.na(data$y2), "", data$y2))
write.csv(csv_data, file.path(out, "data.csv"), row.names = FALSE, quote = FALSE)

row <- function(design_name, indicator, domain, est) {
  data.frame(design = design_name, indicator = indicator, domain = domain,
             mean = fmt(coef(est)[1]), se = fmt(SE(est)[1]),
             deff = fmt(deff(est)[1]),
             stringsAsFactors = FALSE)
}

rows <- list()
designs <- list(plain = plain, calibrated = cal, raked = raked)
for (design_name in names(designs)) {
  design <- designs[[design_name]]
  for (indicator in c("y1", "y2")) {
    f <- as.formula(paste0("~", indicator))
    est <- svymean(f, design, na.rm = TRUE, deff = "replace")
    rows[[length(rows) + 1]] <- row(design_name, indicator, "", est)
    for (code in communes) {
      sub <- design[!is.na(data$commune) & data$commune == code, ]
      est <- svymean(f, sub, na.rm = TRUE, deff = "replace")
      rows[[length(rows) + 1]] <- row(design_name, indicator, code, est)
    }
    # Cross-check: the per-domain loop above must agree with svyby.
    by <- svyby(f, ~commune, design, svymean, na.rm = TRUE)
    mine <- do.call(rbind, rows[(length(rows) - 4):length(rows)])
    stopifnot(max(abs(as.numeric(mine$se) - by$se)) < 1e-15)
  }
}
estimates <- do.call(rbind, rows)

# The analysts' table: overall row then communes in code order, CRLF line ends, UTF-8.
labels <- c(y1 = "Aucun équipement numérique",
            y2 = "Difficultés avec les démarches en ligne, même accompagné")
quote_field <- function(x) ifelse(grepl("[,\"\r\n]", x), paste0('"', gsub('"', '""', x), '"'), x)
six <- function(x) sprintf("%.6f", x)
header <- paste("indicateur,libelle,domaine,code_domaine,n,proportion,ic_bas,ic_haut,erreur_type",
                "n_effectif,methode_ic,effectif_faible", sep = ",")
# Effective sample size p(1 - p) / Var(p) (svyciprop's n.eff), n when the variance is 0.
effective_n <- function(p, v, n_obs) if (v > 0) p * (1 - p) / v else n_obs
# The small-domain flag at its defaults: fewer than 30 respondents or 30 effective ones.
flag <- function(n_obs, n_eff) if (n_obs < 30 || n_eff < 30) "1" else "0"
lines <- header
for (indicator in c("y1", "y2")) {
  f <- as.formula(paste0("~", indicator))
  for (code in c("", communes)) {
    design <- if (code == "") cal else cal[!is.na(data$commune) & data$commune == code, ]
    est <- svymean(f, design, na.rm = TRUE)
    p <- coef(est)[1]
    se <- SE(est)[1]
    ci <- confint(est)[1, ]
    n_obs <- sum(!is.na(data[[indicator]]) & (code == "" | data$commune == code))
    n_eff <- effective_n(p, se^2, n_obs)
    lines <- c(lines, paste(indicator, quote_field(labels[[indicator]]),
                            if (code == "") "Ensemble" else paste("Commune", code),
                            if (code == "") "ensemble" else code, n_obs, six(p),
                            six(max(0, ci[1])), six(min(1, ci[2])), six(se), six(n_eff), "wald",
                            flag(n_obs, n_eff), sep = ","))
  }
}
write_crlf <- function(lines, name) {
  con <- file(file.path(out, name), open = "wb")
  writeBin(charToRaw(enc2utf8(paste0(paste(lines, collapse = "\r\n"), "\r\n"))), con)
  close(con)
}
write_crlf(lines, "table_calibrated.csv")
write.csv(estimates, file.path(out, "estimates.csv"), row.names = FALSE, quote = FALSE)

# ---- Small domains: logit and Korn-Graubard intervals ----------------------------------------
# Drawn after everything above, so the files above do not depend on this part.
set.seed(20261124)
sizes <- c(A = 130, B = 80, C = 50, D = 23, F = 8, G = 5, H = 3, J = 1)
small_communes <- names(sizes)
n2 <- sum(sizes)
small <- data.frame(id = seq_len(n2), commune = rep(small_communes, sizes),
                    sexe = sample(c("F", "H"), n2, replace = TRUE, prob = c(0.55, 0.45)),
                    age = sample(ages, n2, replace = TRUE, prob = c(0.15, 0.20, 0.25, 0.22, 0.18)),
                    w0 = 100 * sample(1:4, n2, replace = TRUE), stringsAsFactors = FALSE)
# A rare indicator (no device, related to age) and a common one.
small$y1 <- as.integer(runif(n2) < c(0.03, 0.04, 0.08, 0.15, 0.30)[match(small$age, ages)])
small$y2 <- as.integer(runif(n2) < 0.40)
small$y1[runif(n2) < 0.05] <- NA
small$y2[runif(n2) < 0.05] <- NA
# The tiny communes are set by hand: H (3 respondents) has p = 0 on y1 and one positive of
# three on y2 (the Ambes case); G (5) has p = 1 on y1 with one missing value (4 observed, 5 in
# the domain) and two of five on y2; J (1) has a single respondent.
small$y1[small$commune == "H"] <- c(0, 0, 0)
small$y2[small$commune == "H"] <- c(1, 0, 0)
small$y1[small$commune == "G"] <- c(1, 1, 1, 1, NA)
small$y2[small$commune == "G"] <- c(1, 0, 1, 0, 0)
small$y1[small$commune == "J"] <- 0
small$y2[small$commune == "J"] <- 1
small$commune <- factor(small$commune, levels = small_communes)
small$sexe <- factor(small$sexe, levels = c("F", "H"))
small$age <- factor(small$age, levels = ages)
pop2_commune <- c(A = 40000, B = 30000, C = 20000, D = 9000, F = 3000, G = 2000, H = 1200, J = 800)
pop2_sexe <- c(F = 55000, H = 51000)
pop2_age <- c(`18-29` = 18000, `30-44` = 26000, `45-59` = 25000, `60-74` = 21000, `75+` = 16000)
population2 <- c(`(Intercept)` = sum(pop2_commune),
                 setNames(pop2_commune[-1], paste0("commune", names(pop2_commune)[-1])),
                 setNames(pop2_sexe[-1], paste0("sexe", names(pop2_sexe)[-1])),
                 setNames(pop2_age[-1], paste0("age", names(pop2_age)[-1])))
cal2 <- calibrate(svydesign(ids = ~1, weights = ~w0, data = small), ~commune + sexe + age,
                  population = population2, calfun = "raking", epsilon = 1e-12, maxit = 100)
small$w <- weights(cal2)
plain2 <- svydesign(ids = ~1, weights = ~w, data = small)
write.csv(data.frame(id = small$id, commune = as.character(small$commune),
                     sexe = as.character(small$sexe), age = as.character(small$age),
                     w0 = fmt(small$w0), w = fmt(small$w),
                     y1 = ifelse(is.na(small$y1), "", small$y1),
                     y2 = ifelse(is.na(small$y2), "", small$y2)),
          file.path(out, "data_small.csv"), row.names = FALSE, quote = FALSE)

# The Korn-Graubard interval as svyciprop(method = "beta") computes it, from the effective
# sample size and the degrees of freedom of the domain (df) and of the design's rows (ref_df).
# When every observed value of the domain is the same (p is 0 or 1, variance 0) svyciprop gives
# NaN, or, when its mean rounds to 1 - 1e-16, an n.eff of 1e17 from a variance of rounding
# errors; exports::indicators then takes n_eff = n and, with df = 0, the limit 0 of the
# adjustment: this evaluates that documented rule with R's qt and qbeta.
korn_graubard <- function(p, n_eff, ref_df, df) {
  ratio <- if (df == ref_df) 1 else if (df == 0) 0 else qt(0.025, ref_df) / qt(0.025, df)
  n <- n_eff * ratio^2
  c(qbeta(0.025, n * p, n * (1 - p) + 1), qbeta(0.975, n * p + 1, n * (1 - p)))
}
ci_of <- function(x) { ci <- attr(x, "ci"); if (any(is.nan(ci))) c(NA, NA) else ci }
# Whether the domain's observed values are all the same.
constant <- function(y, in_domain) length(unique(y[in_domain & !is.na(y)])) == 1
interval_rows <- list()
surveys <- list(main = list(data = data, communes = communes,
                            designs = list(plain = plain, calibrated = cal)),
                small = list(data = small, communes = small_communes,
                             designs = list(plain = plain2, calibrated = cal2)))
for (survey_name in names(surveys)) {
  s <- surveys[[survey_name]]
  for (design_name in names(s$designs)) {
    for (indicator in c("y1", "y2")) {
      f <- as.formula(paste0("~", indicator))
      for (code in c("", s$communes)) {
        design <- s$designs[[design_name]]
        sub <- if (code == "") design else design[s$data$commune == code, ]
        in_domain <- code == "" | s$data$commune == code
        n_obs <- sum(in_domain & !is.na(s$data[[indicator]]))
        m <- svymean(f, sub, na.rm = TRUE)
        p <- unname(coef(m)[1])
        v <- vcov(m)[1, 1]
        ref_df <- nrow(sub) - 1
        df <- degf(sub)
        fit <- suppressWarnings(svyciprop(f, sub, method = "logit", na.rm = TRUE))
        logit <- ci_of(fit)
        # svyciprop's logit fits a quasibinomial svyglm, whose IRLS can diverge (an intercept
        # of -2.6e15 on one 8-respondent calibrated domain here): flagged, not compared.
        fit_ok <- abs(unname(fit) - p) < 1e-6
        xlogit <- ci_of(suppressWarnings(svyciprop(f, sub, method = "xlogit", df = df,
                                                   na.rm = TRUE)))
        beta <- ci_of(suppressWarnings(svyciprop(f, sub, method = "beta", na.rm = TRUE)))
        rule <- if (constant(s$data[[indicator]], in_domain)) {
          korn_graubard(p, n_obs, ref_df, df)
        } else {
          c(NA, NA)
        }
        interval_rows[[length(interval_rows) + 1]] <- data.frame(
          survey = survey_name, design = design_name, indicator = indicator, domain = code,
          n = n_obs, ref_df = ref_df, df = df, mean = fmt(p), se = fmt(sqrt(v)),
          n_eff = fmt(if (v > 0) p * (1 - p) / v else NA),
          logit_fit_ok = as.integer(fit_ok), logit_low = fmt(logit[1]), logit_high = fmt(logit[2]),
          xlogit_low = fmt(xlogit[1]), xlogit_high = fmt(xlogit[2]),
          beta_low = fmt(beta[1]), beta_high = fmt(beta[2]),
          rule_low = fmt(rule[1]), rule_high = fmt(rule[2]), stringsAsFactors = FALSE)
      }
    }
  }
}
write.csv(do.call(rbind, interval_rows), file.path(out, "intervals.csv"), row.names = FALSE,
          quote = FALSE)

# The second survey's table with the default options: calibrated design, Korn-Graubard.
lines <- header
labels2 <- c(y1 = "Aucun équipement numérique", y2 = "Aide ses proches pour le numérique")
for (indicator in c("y1", "y2")) {
  f <- as.formula(paste0("~", indicator))
  for (code in c("", small_communes)) {
    sub <- if (code == "") cal2 else cal2[small$commune == code, ]
    n_obs <- sum((code == "" | small$commune == code) & !is.na(small[[indicator]]))
    m <- svymean(f, sub, na.rm = TRUE)
    p <- unname(coef(m)[1])
    v <- vcov(m)[1, 1]
    in_domain <- code == "" | small$commune == code
    if (constant(small[[indicator]], in_domain)) {
      ci <- korn_graubard(p, n_obs, nrow(sub) - 1, degf(sub))
      n_eff <- n_obs
    } else {
      ci <- attr(svyciprop(f, sub, method = "beta", na.rm = TRUE), "ci")
      n_eff <- effective_n(p, v, n_obs)
    }
    lines <- c(lines, paste(indicator, quote_field(labels2[[indicator]]),
                            if (code == "") "Ensemble" else paste("Commune", code),
                            if (code == "") "ensemble" else code, n_obs, six(p), six(ci[1]),
                            six(ci[2]), six(sqrt(v)), six(n_eff), "beta", flag(n_obs, n_eff),
                            sep = ","))
  }
}
write_crlf(lines, "table_small.csv")
cat("R", R.version$major, ".", R.version$minor, ", survey ", as.character(packageVersion("survey")),
    "\n", sep = "")
print(estimates)
