"""AuroraVault on AWS Lambda (docs/aws.md): the entry points the CloudFormation template names.

``http.handler`` (API Gateway HTTP API -> Mangum -> the Litestar app), ``jobs_handler.handler``
(the SQS jobs queue) and ``events_handler.handler`` (S3 notifications and domain events).
"""
