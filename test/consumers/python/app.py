# The TypeScript app in ../typescript/app.ts, with the Python package.
from aws_cdk import App, Stack, aws_ec2 as ec2
from cdk_rotating_secrets import DatabaseTarget, RotatingSecret, RotationStrategy, Schedule

app = App()
stack = Stack(app, "Consumer")
vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
RotatingSecret(stack, "OrdersUser",
    schedule=Schedule.cron(hour="3", week_day="SUN"),
    strategy=RotationStrategy.postgres_single_user(
        database=DatabaseTarget.from_endpoint(host="orders.db.example.com", port=5432),
        username="orders_app",
        vpc=vpc,
    ),
)
app.synth()
