//! The serverless twin: the shared router under `lambda_http`, on DynamoDB.

pub mod adapt;
