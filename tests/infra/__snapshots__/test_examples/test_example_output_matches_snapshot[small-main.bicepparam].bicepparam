using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION')
param logsSku = readEnvironmentVariable('LOGS_SKU', 'PerGB2018')
param logsRetentionDays = int(readEnvironmentVariable('LOGS_RETENTION_DAYS', '30'))
param registrySku = readEnvironmentVariable('REGISTRY_SKU', 'Basic')
param filesSku = readEnvironmentVariable('FILES_SKU', 'Standard_LRS')
param filesAccessTier = readEnvironmentVariable('FILES_ACCESS_TIER', 'Hot')
param apiExists = bool(readEnvironmentVariable('SERVICE_API_RESOURCE_EXISTS', 'false'))
param apiCpu = readEnvironmentVariable('API_CPU', '0.25')
param apiMemory = readEnvironmentVariable('API_MEMORY', '0.5Gi')
param apiMinReplicas = int(readEnvironmentVariable('API_MIN_REPLICAS', '0'))
param apiMaxReplicas = int(readEnvironmentVariable('API_MAX_REPLICAS', '3'))
