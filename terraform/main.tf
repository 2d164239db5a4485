module "pipeline" {
  source   = "../modules/mlops_pipeline"
  for_each = var.pipelines

  name                = each.key
  tags                = merge(var.tags, try(each.value.tags, {}))
  storage             = try(each.value.storage, {})
  etl                 = try(each.value.etl, {})
  training            = try(each.value.training, {})
  quality_gate        = try(each.value.quality_gate, {})
  endpoint            = try(each.value.endpoint, {})
  endpoint_deployment = try(each.value.endpoint_deployment, {})
  approval_mode       = try(each.value.approval_mode, "auto")
  notifications       = try(each.value.notifications, {})
  retrain_schedule    = try(each.value.retrain_schedule, null)
  scoring             = try(each.value.scoring, null)
  tuning              = try(each.value.tuning, null)
  trigger             = try(each.value.trigger, {})
  observability       = try(each.value.observability, {})
  security            = try(each.value.security, {})
}

locals {
  # Settings of a `pipelines` entry the module does not know. Terraform drops unknown object attributes
  # without a word, so a misspelt field would silently fall back to its default; compared with what the
  # module resolved (its `settings` output), nothing here lists the module's fields. Nested objects are
  # checked two levels down (e.g. endpoint_deployment.alarms.model_latency.threshold). A map field keeps the
  # keys it was given (hyperparameters, tags), so its keys always match.
  unknown_settings = flatten([
    for name, pipeline in var.pipelines : [
      for group, fields in pipeline : (
        group == "tags" ? [] :
        !contains(keys(module.pipeline[name].settings), group) ? ["pipelines.${name}.${group}"] : flatten([
          for field in try(keys(fields), []) : (
            !contains(keys(module.pipeline[name].settings[group]), field) ? ["pipelines.${name}.${group}.${field}"] : flatten([
              for sub in try(keys(fields[field]), []) : (
                !contains(try(keys(module.pipeline[name].settings[group][field]), []), sub) ? ["pipelines.${name}.${group}.${field}.${sub}"] : [
                  for leaf in try(keys(fields[field][sub]), []) : "pipelines.${name}.${group}.${field}.${sub}.${leaf}"
                  if !contains(try(keys(module.pipeline[name].settings[group][field][sub]), []), leaf)
                ]
              )
            ])
          )
        ])
      )
    ]
  ])
}
