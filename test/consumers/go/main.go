// The TypeScript app in ../typescript/app.ts, with the Go module.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-rotating-secrets/cdk-rotating-secrets-go/cdkrotatingsecrets"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2)})
	cdkrotatingsecrets.NewRotatingSecret(stack, jsii.String("OrdersUser"), &cdkrotatingsecrets.RotatingSecretProps{
		Schedule: cdkrotatingsecrets.Schedule_Cron(&cdkrotatingsecrets.CronOptions{Hour: jsii.String("3"), WeekDay: jsii.String("SUN")}),
		Strategy: cdkrotatingsecrets.RotationStrategy_PostgresSingleUser(&cdkrotatingsecrets.DatabaseRotationOptions{
			Database: cdkrotatingsecrets.DatabaseTarget_FromEndpoint(&cdkrotatingsecrets.DatabaseEndpointOptions{
				Host: jsii.String("orders.db.example.com"),
				Port: jsii.Number(5432),
			}),
			Username: jsii.String("orders_app"),
			Vpc:      vpc,
		}),
	})
	app.Synth(nil)
}
