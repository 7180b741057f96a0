from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (no-op for SQLite)."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            return
        import psycopg2
        from psycopg2 import sql

        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
        }
        try:
            connection = psycopg2.connect(dbname="postgres", **params)
        except psycopg2.OperationalError as error:
            raise CommandError(f"Cannot reach PostgreSQL for {db['NAME']}: {error}") from error
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(db["NAME"])))
                self.stdout.write(f"Created the database {db['NAME']}.")
        connection.close()
