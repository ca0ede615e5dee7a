#!/usr/bin/env node
// `cdk synth|deploy ServerlessStack|KubernetesStack` (cdk.json runs this with tsx).
import { createApp } from '../lib/app';

createApp().app.synth();
